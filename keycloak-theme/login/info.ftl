<#import "template.ftl" as layout>
<#-- Notices: "account updated", "e-mail sent", and the step before executing required actions
     (the activation link first lands here with UPDATE_PASSWORD). -->
<#assign onlyPassword = (requiredActions?? && requiredActions?size == 1 && requiredActions[0] == "UPDATE_PASSWORD")>
<@layout.registrationLayout displayMessage=false; section>
    <#if section = "header">
        <#if messageHeader??>
            ${kcSanitize(msg("${messageHeader}"))?no_esc}
        <#elseif onlyPassword>
            ${msg("wwActionsPasswordTitle")}
        <#elseif requiredActions??>
            ${msg("wwActionsTitle")}
        <#elseif message?has_content && message.type == "success">
            ${msg("wwInfoTitleSuccess")}
        <#else>
            ${msg("wwInfoTitle")}
        </#if>
    <#elseif section = "form">
        <div id="kc-info-message">
            <#if onlyPassword>
                <p class="instruction">${msg("wwActionsPasswordText")}</p>
            <#elseif requiredActions??>
                <p class="instruction">${msg("wwActionsText")}</p>
                <ul class="ww-actions-list">
                    <#list requiredActions as reqActionItem><li>${kcSanitize(msg("requiredAction.${reqActionItem}"))?no_esc}</li></#list>
                </ul>
            <#elseif message?has_content>
                <p class="instruction">${kcSanitize(message.summary)?no_esc}</p>
            </#if>
            <#if !skipLink??>
                <#if pageRedirectUri?has_content>
                    <p><a class="ww-btn ww-btn--primary ww-btn--block" id="ww-back-to-application" href="${pageRedirectUri}">${msg("backToApplication")}</a></p>
                <#elseif actionUri?has_content>
                    <p><a class="ww-btn ww-btn--primary ww-btn--block" id="ww-proceed" href="${actionUri}">${onlyPassword?then(msg("wwActionsPasswordButton"), msg("proceedWithAction"))}</a></p>
                <#elseif (client.baseUrl)?has_content>
                    <p><a class="ww-btn ww-btn--primary ww-btn--block" id="ww-back-to-application" href="${client.baseUrl}">${msg("backToApplication")}</a></p>
                </#if>
            </#if>
        </div>
    </#if>
</@layout.registrationLayout>
