<#import "template.ftl" as layout>
<#import "woundwo.ftl" as ww>
<#import "field.ftl" as field>
<#assign usernameError = messagesPerField.existsError('username')>
<@layout.registrationLayout displayInfo=true displayMessage=!usernameError; section>
    <#if section = "header">
        ${msg("emailForgotTitle")}
    <#elseif section = "form">
        <p class="ww-lead">${msg("emailInstruction")}</p>
        <form id="kc-reset-password-form" class="ww-form" action="${url.loginAction}" method="post"
              data-email-check="${ww.emailCheckUrl()}">
            <#if usernameError>
                <div class="ww-alert ww-alert--error">
                    <p class="ww-alert__text" id="input-error-username">${kcSanitize(messagesPerField.get('username'))?no_esc}</p>
                </div>
            </#if>
            <@field.email value=(auth.attemptedUsername!'') formError=usernameError?then("input-error-username", "")/>
            <div id="kc-form-buttons" class="ww-actions">
                <@field.submit id="ww-reset-submit" label=msg("wwResetSubmit")/>
            </div>
            <p class="ww-back"><a id="ww-back-to-login" href="${url.loginUrl}">${msg("backToLogin")}</a></p>
        </form>
    <#elseif section = "info">
        <p class="ww-hint">${msg("wwResetSpamHint")}</p>
        <#assign requestAccess = ww.bridgePage("/request-access")>
        <#if requestAccess?has_content>
            <p class="ww-hint">${msg("wwResetNoAccount")} <a id="ww-request-access-link" href="${requestAccess}">${msg("wwRequestLink")}</a></p>
        </#if>
    </#if>
</@layout.registrationLayout>
