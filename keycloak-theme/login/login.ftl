<#import "template.ftl" as layout>
<#import "woundwo.ftl" as ww>
<#import "field.ftl" as field>
<#import "passkeys.ftl" as passkeys>
<#assign loginFailed = messagesPerField.existsError('username','password')>
<@layout.registrationLayout displayMessage=!loginFailed displayInfo=ww.bridgePage("/request-access")?has_content showEndCustomer=true; section>
    <#if section = "header">
        ${msg("loginAccountTitle")}
    <#elseif section = "form">
        <p class="ww-lead">${msg("wwLoginLead")}</p>
        <#if realm.password>
        <form id="kc-form-login" class="ww-form" onsubmit="login.disabled = true; return true;" action="${url.loginAction}" method="post"
              data-email-check="${ww.emailCheckUrl()}"<#if loginFailed> data-login-failed="true"</#if>>
            <#if loginFailed>
                <div class="ww-alert ww-alert--error" id="ww-login-error">
                    <p class="ww-alert__text" id="input-error">${kcSanitize(messagesPerField.getFirstError('username','password'))?no_esc}</p>
                    <#if realm.resetPasswordAllowed>
                    <p class="ww-alert__text" id="ww-forgot-hint" hidden>${msg("wwKnownButFailed")} <a href="${url.loginResetCredentialsUrl}">${msg("doForgotPassword")}</a></p>
                    </#if>
                </div>
            </#if>

            <#if !usernameHidden??>
                <@field.email value=(login.username!'') formError=loginFailed?then("input-error", "")/>
            </#if>

            <@field.password name="password" label=msg("password") autocomplete="current-password" autofocus=usernameHidden??
                             formError=loginFailed?then("input-error", "")>
                <#if realm.resetPasswordAllowed>
                    <p class="ww-field-link"><a id="ww-forgot-password" href="${url.loginResetCredentialsUrl}">${msg("doForgotPassword")}</a></p>
                </#if>
            </@field.password>

            <#if realm.rememberMe && !usernameHidden??>
                <@field.checkbox name="rememberMe" label=msg("rememberMe") checked=login.rememberMe??/>
            </#if>

            <div id="kc-form-buttons" class="ww-actions">
                <input type="hidden" id="id-hidden-input" name="credentialId"<#if auth.selectedCredential?has_content> value="${auth.selectedCredential}"</#if>/>
                <@field.submit id="kc-login" name="login" label=msg("doLogIn")/>
            </div>
        </form>
        </#if>
        <@passkeys.conditionalUIData />
    <#elseif section = "info">
        <#assign requestAccess = ww.bridgePage("/request-access")>
        <#if requestAccess?has_content>
            <div id="ww-request-access" class="ww-request">
                <p><strong>${msg("noAccount")}</strong> ${msg("wwRequestText")}</p>
                <a id="ww-request-access-link" class="ww-btn ww-btn--secondary ww-btn--block" href="${requestAccess}">${msg("wwRequestLink")}</a>
            </div>
        </#if>
    <#elseif section = "socialProviders">
        <#if realm.password && social?? && social.providers?has_content>
            <div id="kc-social-providers" class="ww-social">
                <h2>${msg("identity-provider-login-label")}</h2>
                <ul class="ww-links">
                    <#list social.providers as p>
                        <li><a id="social-${p.alias}" class="ww-btn ww-btn--secondary ww-btn--block" href="${p.loginUrl}">${p.displayName!}</a></li>
                    </#list>
                </ul>
            </div>
        </#if>
    </#if>
</@layout.registrationLayout>
